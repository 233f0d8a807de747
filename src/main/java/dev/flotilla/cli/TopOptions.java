package dev.flotilla.cli;

import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * OneFlow's {@code top} (cli.md §2.2): clear the screen, print the list, sleep {@code -d/--delay}
 * seconds, again until interrupted. Shared by {@code oneflow top} and {@code oneflow-template top}.
 */
final class TopOptions {
    /** Home, then erase the screen: each frame replaces the last one on a terminal. */
    static final String CLEAR = "\033[H\033[2J";

    @Option(names = {"-d", "--delay"}, defaultValue = "4", paramLabel = "SECONDS",
            description = "Seconds between refreshes (default 4)")
    int delay;
    /** Not OneFlow's: lets a test (or a script) stop after a number of frames; 0 = until interrupted. */
    @Option(names = "--iterations", hidden = true, defaultValue = "0")
    int iterations;

    /** Prints a fresh frame every {@link #delay} seconds; a failed read ends the loop with its error. */
    int loop(PrintStream out, Supplier<String> frame) throws InterruptedException {
        if (delay < 1) {
            throw new CliException(255, "--delay must be a whole number of seconds, 1 or more (got " + delay + ")");
        }
        if (iterations < 0) {
            throw new CliException(255, "--iterations must be 0 (no end) or more");
        }
        for (int shown = 1; ; shown++) {
            String text = frame.get();
            out.print(CLEAR);
            out.print(text);
            out.flush();
            if (iterations > 0 && shown >= iterations) {
                return 0;
            }
            // The CLI's own main thread (no Vert.x here): waiting is all it has to do.
            Thread.sleep(delay * 1000L);
        }
    }
}
