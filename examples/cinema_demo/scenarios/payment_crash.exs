CinemaDemo.Scenarios.record(:payment_crash)
