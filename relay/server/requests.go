package server

import (
	"context"

	"github.com/pikadj/pika/shared/protocol"
)

// searchCatalogue answers a dancer's search with CATALOGUE_RESULTS.
func (c *conn) searchCatalogue(ctx context.Context, id string, p *protocol.SearchCatalogue) {
	if pe := c.asDancer(); pe != nil {
		c.fail(id, pe)
		return
	}
	res, pe := c.dancer.Search(ctx, c.addrKey, p)
	if pe != nil {
		c.fail(id, pe)
		return
	}
	c.reply(protocol.TypeCatalogueResults, id, res)
}

// requestTrack records a dancer's request; its address's limit applies.
func (c *conn) requestTrack(ctx context.Context, p any) *protocol.Error {
	return c.dancer.Request(ctx, c.addrKey, p.(*protocol.RequestTrack))
}
