ParcelDepot.Scenarios.record(:pipeline)
