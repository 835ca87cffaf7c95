package card

import (
	"container/list"
	"errors"
	"sync"
)

// MaxPending bounds the renders waiting their turn (Render draws one at a
// time); past it PNG answers ErrBusy at once rather than queueing
// crawlers' requests without end.
const MaxPending = 8

// ErrBusy: MaxPending cards are already being drawn or waiting.
var ErrBusy = errors.New("card: too many cards being drawn")

// Cache keeps the most recently used cards by Key, at most a fixed count
// (a card is some 30 to 80 KB). An ended set's card never changes, so
// messengers fetching it again cost nothing; a live set's card changes
// key with each play and is drawn again.
type Cache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recent; values are *entry
	byKey map[string]*list.Element
	// pending holds a token per render in progress or waiting.
	pending chan struct{}
}

type entry struct {
	key string
	png []byte
}

// NewCache keeps at most n cards (at least 1).
func NewCache(n int) *Cache {
	return &Cache{max: max(n, 1), order: list.New(), byKey: map[string]*list.Element{}, pending: make(chan struct{}, MaxPending)}
}

// PNG returns the card's PNG, rendering it unless it is cached; ErrBusy
// when too many renders are under way.
func (c *Cache) PNG(cd Card) ([]byte, error) {
	key := cd.Key()
	c.mu.Lock()
	if el, ok := c.byKey[key]; ok {
		c.order.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*entry).png, nil
	}
	c.mu.Unlock()
	select {
	case c.pending <- struct{}{}:
	default:
		return nil, ErrBusy
	}
	png, err := Render(cd)
	<-c.pending
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[key]; !ok {
		c.byKey[key] = c.order.PushFront(&entry{key, png})
		for c.order.Len() > c.max {
			old := c.order.Remove(c.order.Back()).(*entry)
			delete(c.byKey, old.key)
		}
	}
	return png, nil
}

// Len is how many cards are cached.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
