// Package status holds the rules that turn probe results into check,
// component, group and page statuses, and that open, update and resolve
// incidents and run maintenance windows.
//
// It is pure: no sockets, no goroutines, no wall clock. Time comes in with
// every call, and every change goes out as an Event for the store, the
// metrics, the notifier and the status page.
package status
