package main

func clear(a [][]int) {
	for i := 0; i < len(a); i++ {
		// ruleid: go-loop-condition-tests-outer-counter
		for j := 0; i < len(a[i]); j++ {
			a[i][j] = 0
		}
		// ok: go-loop-condition-tests-outer-counter
		for j := 0; j < len(a[i]); j++ {
			a[i][j] = 1
		}
	}
}

func first(a []int) int {
	// ok: go-loop-condition-tests-outer-counter
	for i := 0; i < len(a); i++ {
		return a[i]
	}
	return 0
}
