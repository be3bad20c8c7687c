package lifecycle

import (
	"context"
	"slices"
	"strings"
)

// lookupARNLocked returns the application an ARN names, under s.mu.
func (s *Service) lookupARNLocked(arn string) (*app, error) {
	if err := checkARN("ResourceARN", arn); err != nil {
		return nil, err
	}
	prefix := s.arn("")
	name, ok := strings.CutPrefix(arn, prefix)
	if !ok {
		return nil, notFound("%s is not the ARN of an application of this service (%sNAME)", arn, prefix)
	}
	return s.lookup(name)
}

// TagResource adds tags to an application, replacing those with the same
// keys. An application has at most 50 tags (TooManyTagsException).
func (s *Service) TagResource(ctx context.Context, in TagResourceRequest) (TagResourceResponse, error) {
	if err := ctx.Err(); err != nil {
		return TagResourceResponse{}, err
	}
	if len(in.Tags) == 0 {
		return TagResourceResponse{}, invalidArgument("Tags is required")
	}
	if err := checkTags(in.Tags); err != nil {
		return TagResourceResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookupARNLocked(in.ResourceARN)
	if err != nil {
		return TagResourceResponse{}, err
	}
	if err := checkStatusLocked(a, actionTag); err != nil {
		return TagResourceResponse{}, err
	}
	tags := slices.Clone(a.rec.Tags)
	for _, t := range in.Tags {
		i := slices.IndexFunc(tags, func(o Tag) bool { return o.Key == t.Key })
		if i >= 0 {
			tags[i] = t
		} else {
			tags = append(tags, t)
		}
	}
	if err := checkTags(tags); err != nil {
		return TagResourceResponse{}, err
	}
	a.rec.Tags = tags
	return TagResourceResponse{}, s.changedLocked(a)
}

// UntagResource removes tags by key; keys it does not have are ignored.
func (s *Service) UntagResource(ctx context.Context, in UntagResourceRequest) (UntagResourceResponse, error) {
	if err := ctx.Err(); err != nil {
		return UntagResourceResponse{}, err
	}
	if len(in.TagKeys) == 0 || len(in.TagKeys) > 200 {
		return UntagResourceResponse{}, invalidArgument("TagKeys must have 1 to 200 keys")
	}
	for _, k := range in.TagKeys {
		if err := checkLength("TagKey", k, 1, maxTagKeyLength); err != nil {
			return UntagResourceResponse{}, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookupARNLocked(in.ResourceARN)
	if err != nil {
		return UntagResourceResponse{}, err
	}
	if err := checkStatusLocked(a, actionTag); err != nil {
		return UntagResourceResponse{}, err
	}
	a.rec.Tags = slices.DeleteFunc(slices.Clone(a.rec.Tags), func(t Tag) bool { return slices.Contains(in.TagKeys, t.Key) })
	return UntagResourceResponse{}, s.changedLocked(a)
}

// ListTagsForResource lists an application's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in ListTagsForResourceRequest) (ListTagsForResourceResponse, error) {
	if err := ctx.Err(); err != nil {
		return ListTagsForResourceResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookupARNLocked(in.ResourceARN)
	if err != nil {
		return ListTagsForResourceResponse{}, err
	}
	return ListTagsForResourceResponse{Tags: slices.Clone(a.rec.Tags)}, nil
}
