// Runs the program's main class and prints the run's completion token on stderr when its main
// returns, and only then: System.exit, Runtime.halt (from a shutdown hook too) and an exception out
// of main end the run before the last line here.
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

public final class ThemisMain {
    public static void main(String[] args) throws Throwable {
        String token = System.getenv("THEMIS_COMPLETION");
        Method main = Class.forName(args[0]).getDeclaredMethod("main", String[].class);
        main.setAccessible(true);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();  // reported as the program's own uncaught exception, exit 1
        }
        System.out.flush();
        System.err.println(token == null ? "" : token);
        System.err.flush();
    }
}
