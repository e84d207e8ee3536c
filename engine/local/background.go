package local

// Waiting for the disk is kept off the run's critical path where the data
// is already written and only its flush is left: the fingerprint
// checkpoint's fsyncs and its record in the manifest run while the group
// stage works, the output pass's fsyncs while clusters.jsonl and the report
// are written. One such step runs at a time. The rules that keep a crash
// safe: a checkpoint is recorded in the manifest only after its files are
// durable (so a resumed run never trusts a file that is not), the next
// checkpoint waits for the previous one, and the outputs are durable before
// stats.json is staged and the commit publishes anything.

// inBackground runs step on its own goroutine; await returns its error.
// A step started while another runs waits for it first.
func (r *run) inBackground(step func() error) {
	prev := r.bg
	ch := make(chan error, 1)
	r.bg = ch
	go func() {
		if prev != nil {
			if err := <-prev; err != nil {
				ch <- err
				return
			}
		}
		ch <- step()
	}()
}

// await waits for the background step, if any, and returns its error.
func (r *run) await() error {
	if r.bg == nil {
		return nil
	}
	err := <-r.bg
	r.bg = nil
	return err
}
