// Package docs holds no code, only the tests that keep up's documentation
// true: README.md, CONTRIBUTING.md and the pages in this directory. They
// check that every link and #anchor between the pages resolves, that every
// path the pages name is in the repository, that every shell example
// against $UP answers the status its "# → NNN" comment promises when run
// with curl against a real up, and that no example date has passed.
package docs
