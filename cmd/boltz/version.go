package main

import "github.com/boltzgo/boltz/rbm"

var version = rbm.ToolVersion
