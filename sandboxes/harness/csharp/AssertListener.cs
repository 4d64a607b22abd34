// Compiled with every C# program: mono's Debug.Assert only prints when it fails;
// this listener (registered in prog.exe.config) makes a failed assertion end the run.
using System;
using System.Diagnostics;

public class ThemisAssertListener : TraceListener
{
    public override void Write(string message) { }
    public override void WriteLine(string message) { }
    public override void Fail(string message, string detail)
    {
        Console.Out.Flush();
        Console.Error.WriteLine("AssertionError: Debug.Assert failed " + message + " " + detail);
        Environment.Exit(1);
    }
}
