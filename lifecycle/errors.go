package lifecycle

import "fmt"

// APIError is what every error of a Service action is: one of the service's
// exceptions, with the code the API gives it (the name of its shape, as
// "ResourceNotFoundException") and a message. Each exception is a type of
// its own, to get with errors.As:
//
//	var inUse *lifecycle.ResourceInUseException
//	if errors.As(err, &inUse) { … }
type APIError interface {
	error
	// ErrorCode is the exception's name in the API.
	ErrorCode() string
	// ErrorMessage is its message.
	ErrorMessage() string
}

// ResourceNotFoundException: the application, version or operation does
// not exist. (A snapshot that does not exist is an
// InvalidArgumentException, as the service's clients expect.)
type ResourceNotFoundException struct{ Message string }

// ResourceInUseException: the action is not allowed in the application's
// current status, or the resource already exists.
type ResourceInUseException struct{ Message string }

// InvalidArgumentException: a parameter is missing, too long, too short, out
// of range, or does not match its pattern.
type InvalidArgumentException struct{ Message string }

// InvalidRequestException: the request is well formed but cannot be done as
// asked (for instance a rollback with no snapshot to return to).
type InvalidRequestException struct{ Message string }

// ConcurrentModificationException: the version id or conditional token the
// request carries is not the application's current one.
type ConcurrentModificationException struct{ Message string }

// CodeValidationException: the code the configuration names cannot be
// read or is too large. (A code package missing from its bucket is an
// InvalidArgumentException, as the service's clients expect.)
type CodeValidationException struct{ Message string }

// InvalidApplicationConfigurationException: the application's configuration
// does not allow the action (for instance a snapshot with snapshots
// disabled).
type InvalidApplicationConfigurationException struct{ Message string }

// UnsupportedOperationException: the action or option is not supported (SQL
// and Zeppelin applications, for instance).
type UnsupportedOperationException struct{ Message string }

// LimitExceededException: a limit of the service would be exceeded.
type LimitExceededException struct{ Message string }

// TooManyTagsException: a resource would have more than 50 tags.
type TooManyTagsException struct{ Message string }

func (e *ResourceNotFoundException) Error() string       { return apiErrorString(e) }
func (e *ResourceInUseException) Error() string          { return apiErrorString(e) }
func (e *InvalidArgumentException) Error() string        { return apiErrorString(e) }
func (e *InvalidRequestException) Error() string         { return apiErrorString(e) }
func (e *ConcurrentModificationException) Error() string { return apiErrorString(e) }
func (e *CodeValidationException) Error() string         { return apiErrorString(e) }
func (e *InvalidApplicationConfigurationException) Error() string {
	return apiErrorString(e)
}
func (e *UnsupportedOperationException) Error() string { return apiErrorString(e) }
func (e *LimitExceededException) Error() string        { return apiErrorString(e) }
func (e *TooManyTagsException) Error() string          { return apiErrorString(e) }

// ErrorCode implements APIError.
func (e *ResourceNotFoundException) ErrorCode() string { return "ResourceNotFoundException" }

// ErrorCode implements APIError.
func (e *ResourceInUseException) ErrorCode() string { return "ResourceInUseException" }

// ErrorCode implements APIError.
func (e *InvalidArgumentException) ErrorCode() string { return "InvalidArgumentException" }

// ErrorCode implements APIError.
func (e *InvalidRequestException) ErrorCode() string { return "InvalidRequestException" }

// ErrorCode implements APIError.
func (e *ConcurrentModificationException) ErrorCode() string {
	return "ConcurrentModificationException"
}

// ErrorCode implements APIError.
func (e *CodeValidationException) ErrorCode() string { return "CodeValidationException" }

// ErrorCode implements APIError.
func (e *InvalidApplicationConfigurationException) ErrorCode() string {
	return "InvalidApplicationConfigurationException"
}

// ErrorCode implements APIError.
func (e *UnsupportedOperationException) ErrorCode() string { return "UnsupportedOperationException" }

// ErrorCode implements APIError.
func (e *LimitExceededException) ErrorCode() string { return "LimitExceededException" }

// ErrorCode implements APIError.
func (e *TooManyTagsException) ErrorCode() string { return "TooManyTagsException" }

// ErrorMessage implements APIError.
func (e *ResourceNotFoundException) ErrorMessage() string { return e.Message }

// ErrorMessage implements APIError.
func (e *ResourceInUseException) ErrorMessage() string { return e.Message }

// ErrorMessage implements APIError.
func (e *InvalidArgumentException) ErrorMessage() string { return e.Message }

// ErrorMessage implements APIError.
func (e *InvalidRequestException) ErrorMessage() string { return e.Message }

// ErrorMessage implements APIError.
func (e *ConcurrentModificationException) ErrorMessage() string { return e.Message }

// ErrorMessage implements APIError.
func (e *CodeValidationException) ErrorMessage() string { return e.Message }

// ErrorMessage implements APIError.
func (e *InvalidApplicationConfigurationException) ErrorMessage() string { return e.Message }

// ErrorMessage implements APIError.
func (e *UnsupportedOperationException) ErrorMessage() string { return e.Message }

// ErrorMessage implements APIError.
func (e *LimitExceededException) ErrorMessage() string { return e.Message }

// ErrorMessage implements APIError.
func (e *TooManyTagsException) ErrorMessage() string { return e.Message }

func apiErrorString(e APIError) string { return e.ErrorCode() + ": " + e.ErrorMessage() }

func notFound(format string, args ...any) error {
	return &ResourceNotFoundException{Message: fmt.Sprintf(format, args...)}
}

func inUse(format string, args ...any) error {
	return &ResourceInUseException{Message: fmt.Sprintf(format, args...)}
}

func invalidArgument(format string, args ...any) error {
	return &InvalidArgumentException{Message: fmt.Sprintf(format, args...)}
}

func invalidRequest(format string, args ...any) error {
	return &InvalidRequestException{Message: fmt.Sprintf(format, args...)}
}

func concurrentModification(format string, args ...any) error {
	return &ConcurrentModificationException{Message: fmt.Sprintf(format, args...)}
}

func codeValidation(format string, args ...any) error {
	return &CodeValidationException{Message: fmt.Sprintf(format, args...)}
}

func invalidConfiguration(format string, args ...any) error {
	return &InvalidApplicationConfigurationException{Message: fmt.Sprintf(format, args...)}
}

func unsupported(format string, args ...any) error {
	return &UnsupportedOperationException{Message: fmt.Sprintf(format, args...)}
}

func limitExceeded(format string, args ...any) error {
	return &LimitExceededException{Message: fmt.Sprintf(format, args...)}
}
