"""Supervisors' workspace: submission queue and detail, review states and comments, the
approval chain (village → town → county) and the household page."""
