package endpoint

import (
	"context"
	"net/http"
	"time"
)

const dashboardPath = "/dashboard/"

type dashboardToken struct {
	app     string
	expires time.Time
}

func createApplicationPresignedURL(ctx context.Context, h *Handler, r *http.Request, in createApplicationPresignedURLRequest) (any, error) {
	return nil, unsupported("CreateApplicationPresignedUrl")
}

func (h *Handler) serveDashboard(w http.ResponseWriter, r *http.Request) {
	http.NotFound(w, r)
}
