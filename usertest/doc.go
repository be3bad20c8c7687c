// Package usertest holds tests written the way a newcomer uses
// go-flinksim: a module of its own that imports only the public packages
// and follows the package documentation. It has no non-test code.
package usertest
