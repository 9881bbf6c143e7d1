module espcompose-bench-harness

go 1.24
