package main

import "testing"

func checkInspect(t *testing.T, merged, dist string) {}
