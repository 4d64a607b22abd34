function clear(a) {
  for (let i = 0; i < a.length; i++) {
    // ruleid: js-loop-condition-tests-outer-counter
    for (let j = 0; i < a[i].length; j++) {
      a[i][j] = 0;
    }
    // ok: js-loop-condition-tests-outer-counter
    for (let j = 0; j < a[i].length; j++) {
      a[i][j] = 1;
    }
  }
}
