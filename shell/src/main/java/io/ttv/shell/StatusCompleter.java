package io.ttv.shell;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.util.List;

/** The job statuses. */
@Service
public class StatusCompleter implements Completer {
    private final StringsCompleter delegate = new StringsCompleter(
            List.of("queued", "started", "progress", "finished", "failed", "canceled"));

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return delegate.complete(session, commandLine, candidates);
    }
}
