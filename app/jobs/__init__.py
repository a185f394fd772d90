"""Periodic jobs: one small scheduler with a lock per job, run in the lifespan or from the command line. The
jobs themselves are registered by the assembly (app/scheduled_jobs.py); this package imports no domain."""
