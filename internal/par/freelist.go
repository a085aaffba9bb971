package par

import "sync"

// FreeList keeps values for reuse, typically a scratch buffer per running part or a
// preallocated Worker per concurrent call. Unlike a sync.Pool it is not emptied by the
// garbage collector, so a loop that takes and returns values allocates nothing in steady
// state; it holds at most as many values as were ever out at once. The zero value is ready to
// use (Get then returns new zero values); set New to build values another way. It is safe for
// concurrent use.
type FreeList[E any] struct {
	// New returns a new value when the list is empty; nil means new(E).
	New func() *E

	mu   sync.Mutex
	free []*E
}

// Get takes a value from the list, or makes one with New when the list is empty.
func (l *FreeList[E]) Get() *E {
	l.mu.Lock()
	if n := len(l.free); n > 0 {
		e := l.free[n-1]
		l.free = l.free[:n-1]
		l.mu.Unlock()
		return e
	}
	l.mu.Unlock()
	if l.New == nil {
		return new(E)
	}
	return l.New()
}

// Put returns e to the list for a later Get. e must not be used after Put.
func (l *FreeList[E]) Put(e *E) {
	l.mu.Lock()
	l.free = append(l.free, e)
	l.mu.Unlock()
}
