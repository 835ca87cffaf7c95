package protocol

// The pages read the protocol's names and limits from a generated module.
//go:generate go run ./internal/jsgen -o ../../webclient/static/assets/js/protocol.js
