class Loops
{
    void Clear(int[,] a)
    {
        for (int i = 0; i < 10; ++i)
        {
            // ruleid: csharp-loop-condition-tests-outer-counter
            for (int j = 0; i <= 9; ++j)
            {
                a[i, j] = 0;
            }
            // ok: csharp-loop-condition-tests-outer-counter
            for (int j = 0; j <= 9; ++j)
            {
                a[i, j] = 1;
            }
        }
    }
}
