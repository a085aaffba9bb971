package rbm

// ToolVersion is the version of boltz written into every file it makes.
const ToolVersion = "0.1.0-dev"
