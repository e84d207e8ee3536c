package main

import (
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/metrics"
)

type beamCounter = metrics.CounterResult

func cmpString(a, b string) int { return strings.Compare(a, b) }
