package kafka

import "errors"

// Errors of the package. Each is wrapped with what was being done; test
// for them with errors.Is.
var (
	// ErrConfig: a SourceConfig or SinkConfig that cannot work (no
	// brokers, no topics, an exactly-once sink without a
	// transactional-id prefix, an offset kind a field does not take).
	ErrConfig = errors.New("kafka: invalid configuration")
	// ErrTopicNotFound: a topic the source was told to read, or a
	// partition a specific offset names, does not exist.
	ErrTopicNotFound = errors.New("kafka: topic or partition not found")
	// ErrSplit: bytes that are not a split this package wrote (a corrupt
	// or foreign checkpoint).
	ErrSplit = errors.New("kafka: malformed split")
	// ErrBroker: a request to the brokers failed.
	ErrBroker = errors.New("kafka: broker request failed")
)
