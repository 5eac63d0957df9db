from supervision.models.five_rates import FiveRatesFigure, FiveRatesSnapshot

__all__ = ["FiveRatesFigure", "FiveRatesSnapshot"]
