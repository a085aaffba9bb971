module github.com/boltzgo/boltz

go 1.26
