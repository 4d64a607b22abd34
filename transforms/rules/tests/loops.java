class Loops {
    void clear(int[][] a) {
        for (int i = 0; i < 10; i++) {
            // ruleid: java-loop-condition-tests-outer-counter
            for (int j = 0; i < 10; j++) {
                a[i][j] = 0;
            }
            // ok: java-loop-condition-tests-outer-counter
            for (int j = i + 1; j < 10; ++j) {
                a[i][j] = 1;
            }
        }
    }
}
