package output

// The kinds of failure a run reports, the same for every engine, by which a
// command chooses its exit code (README.md's table): an engine wraps each
// error it returns in one of them, or returns it bare for an unexpected
// failure.

// InputError reports a problem with the input data: a rejected document
// under strict reading, an unreadable or corrupt file.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }

// Unwrap returns the problem's cause.
func (e *InputError) Unwrap() error { return e.Err }

// OutputError reports a failure to write the outputs (disk full, permission
// denied). The inputs are never modified.
type OutputError struct{ Err error }

func (e *OutputError) Error() string { return e.Err.Error() }

// Unwrap returns the failure's cause.
func (e *OutputError) Unwrap() error { return e.Err }

// ConfigError is a run refused before it started: parameters that do not
// hold together, inputs that cannot be told apart, or an output directory
// that cannot be used as it is (not empty without force, held by another
// run, holding an input). Commands report it as a bad command line.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }

// Unwrap returns the refusal's cause.
func (e *ConfigError) Unwrap() error { return e.Err }
