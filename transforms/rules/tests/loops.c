void clear(int a[10][10]) {
  for (int i = 0; i < 10; i++) {
    // ruleid: c-loop-condition-tests-outer-counter
    for (int j = 0; i < 10; j++) {
      a[i][j] = 0;
    }
    // ok: c-loop-condition-tests-outer-counter
    for (int j = 0; j < 10; j++) {
      a[i][j] = 1;
    }
  }
}

int first(int *a, int n) {
  // ok: c-loop-condition-tests-outer-counter
  for (int i = 0; i < n; i++) {
    return a[i];
  }
  return 0;
}
