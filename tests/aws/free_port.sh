# shellcheck shell=bash
# Sourced by tests/aws/run.sh and bench/provision/bench.sh: free_port prints the first free TCP port on
# 127.0.0.1 in 32600-32699 (the range moto's server may use here), nothing when all are taken. Needs $BIN.
free_port() {
  "$BIN/python" -c '
import socket
for port in range(32600, 32700):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break'
}
