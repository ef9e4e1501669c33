"""Background work: RQ job functions, the queues, and the periodic schedule.

Job functions take ids, load fresh state, call services and are safe to run
twice. Nothing here imports Reflex.
"""
