"""The figures of /metrics in Prometheus' format (prometheus_client is imported only here)."""
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from ..runtime import monitoring

__all__ = ["CONTENT_TYPE_LATEST", "latest_figures"]


def latest_figures() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_FiguresCollector())
    return generate_latest(registry)


class _FiguresCollector:
    """Reads the figures from the database at each scrape: every gunicorn process gives the same."""

    def collect(self):
        figures = monitoring.figures()
        registrations = GaugeMetricFamily(
            "villages_registrations", "Inscriptions, par état.", labels=["status"]
        )
        for status, count in figures.registrations_by_status.items():
            registrations.add_metric([status], count)
        yield registrations
        yield GaugeMetricFamily(
            "villages_check_ins", "Passages à l'accueil (hors passages annulés).", value=figures.check_ins
        )
        outbox = GaugeMetricFamily("villages_outbox_messages", "E-mails de l'outbox, par état.", labels=["status"])
        for status, count in figures.outbox_by_status.items():
            outbox.add_metric([status], count)
        yield outbox
        yield GaugeMetricFamily(
            "villages_outbox_oldest_pending_age_seconds",
            "Âge de l'e-mail en attente le plus ancien (0 s'il n'y en a pas).",
            value=figures.oldest_pending_age_seconds,
        )
        export_jobs = GaugeMetricFamily(
            "villages_export_jobs", "Tâches de fond (documents, bilans, programme, messages), par état.", labels=["status"]
        )
        for status, count in figures.export_jobs_by_status.items():
            export_jobs.add_metric([status], count)
        yield export_jobs
        yield GaugeMetricFamily(
            "villages_jobs_queue_up", "La file des tâches de fond répond (1) ou non (0).",
            value=0 if figures.jobs_waiting is None else 1,
        )
        if figures.jobs_waiting is not None:
            yield GaugeMetricFamily(
                "villages_jobs_waiting", "Tâches en attente dans la file.", value=figures.jobs_waiting
            )
