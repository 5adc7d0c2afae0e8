"""The screening stage: decisions, work queues, ranking, agreement and stopping.

Modules: :mod:`~realist.screen.decisions`, :mod:`~realist.screen.queue`,
:mod:`~realist.screen.ranking`, :mod:`~realist.screen.agreement`,
:mod:`~realist.screen.stopping` and :mod:`~realist.screen.simulate`.  The
package itself exports nothing.
"""

__all__: list[str] = []
