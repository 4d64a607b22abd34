class Clients
{
    string[] Keys()
    {
        // ruleid: csharp-secret-in-known-format
        var conn = "amqp://guest:rabbitpw1@queue.internal/";
        // ok: csharp-secret-in-known-format
        var local = "amqp://queue.internal/";
        return new[] { conn, local };
    }
}
