CinemaDemo.Scenarios.record(:hold_expiry)
