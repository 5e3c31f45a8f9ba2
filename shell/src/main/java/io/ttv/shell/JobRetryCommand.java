package io.ttv.shell;

import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "ttv", name = "job-retry", description = "Puts a failed job back in the queue with a fresh set of "
        + "attempts (finished and canceled jobs cannot be retried)")
@Service
public class JobRetryCommand extends TtvAction {
    @Argument(index = 0, name = "id", description = "Id of a failed job", required = true)
    @Completion(JobIdCompleter.class)
    String id;

    @Override
    void run(PipelineOperations ops) {
        System.out.println(ops.retryJob(id));
    }
}
