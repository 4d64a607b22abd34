class Clients {
    String[] keys() {
        // ruleid: java-secret-in-known-format
        String maps = "AIzaSyA1234567890abcdefghijklmnopqrstuv";
        // ok: java-secret-in-known-format
        String jdbc = "jdbc:postgresql://localhost:5432/app";
        return new String[] {maps, jdbc};
    }
}
