package workflow

import "context"

type viewerKey struct{}

// WithViewer marks ctx as a request made by p. The store then shows, in
// traces, citations, event citations and minutes, only the deliverables p
// may see (SeeDeliverable), and refuses a reference to a deliverable p may
// not see exactly as one to a deliverable that does not exist. Without a
// viewer (jobs, seeding) the store sees everything.
func WithViewer(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, viewerKey{}, p)
}

// ViewerOf is the viewer WithViewer put in ctx.
func ViewerOf(ctx context.Context) (Principal, bool) {
	if ctx == nil {
		return Principal{}, false
	}
	p, ok := ctx.Value(viewerKey{}).(Principal)
	return p, ok
}
