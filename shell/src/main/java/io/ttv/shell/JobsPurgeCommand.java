package io.ttv.shell;

import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "ttv", name = "jobs-purge", description = "Deletes finished, failed and canceled jobs that ended "
        + "more than N days ago: hash, logs and index entry (queued and running jobs are never touched)")
@Service
public class JobsPurgeCommand extends TtvAction {
    @Option(name = "--older-than-days", aliases = "-d", required = true,
            description = "Age in days of the end of the jobs to delete (0 = every terminal job)")
    int days = -1;

    @Override
    void run(PipelineOperations ops) {
        int n = ops.purgeJobs(days);
        System.out.println("Purged " + n + " terminal job" + (n == 1 ? "" : "s") + " that ended more than " + days
                + " day" + (days == 1 ? "" : "s") + " ago");
    }
}
