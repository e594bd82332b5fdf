"""Monthly dynamic monitoring (动态监测): rules, early warnings (预警) as tracked cases, the
county dashboard and the monthly report."""
