ParcelDepot.Scenarios.record(:day)
