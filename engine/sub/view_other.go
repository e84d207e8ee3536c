//go:build !linux

package sub

import "github.com/quchong/quchong/substr"

// view reads part k's text into memory (the merge maps it on Linux).
func (pf *partFiles) view(k int) (substr.View, error) { return pf.readView(k) }
