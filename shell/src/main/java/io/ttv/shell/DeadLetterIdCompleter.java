package io.ttv.shell;

import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;

/** The ids of the dead-lettered callbacks. */
@Service
public class DeadLetterIdCompleter extends IdCompleter {
    @Override
    List<String> values(PipelineOperations ops) {
        return ops.deadLetters().stream().map(PipelineOperations.DeadLetter::id).toList();
    }
}
