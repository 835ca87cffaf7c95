package protocol

// A DJ connection whose token is revoked (from the DJ's web page or the
// API) gets an ERROR {code: unauthorized, message: MsgTokenRevoked}
// without an id, then a close frame with CloseTokenRevoked. Retrying with
// the same token cannot work: clients stop and ask for a new token.
const (
	MsgTokenRevoked   = "this token was revoked"
	CloseTokenRevoked = 4003
)
