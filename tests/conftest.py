import hypothesis

hypothesis.settings.register_profile("tidu", max_examples=20, deadline=None,
                                     suppress_health_check=[hypothesis.HealthCheck.too_slow])
hypothesis.settings.load_profile("tidu")
