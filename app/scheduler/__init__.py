"""The periodic jobs and the process that runs them (`flask scheduler run`)."""
