// Connect-rate load generator: the idle client (JWT connect → welcome (run with mode `nosub`), pre-signed
// tokens, a window of handshakes in flight); the orchestrator times {cmd:"open"} across processes.
import "./idle-client.mjs";
