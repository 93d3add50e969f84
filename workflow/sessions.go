package workflow

// SessionStore keeps the web page's sign-in links and sessions.
type SessionStore interface{}
