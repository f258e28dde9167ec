"""The historical models of the audit trail live here.

They are not written by hand: ``AuditConfig.ready()`` registers each tracked
model with django-simple-history, which creates its ``Historical…`` model in
this module (app label ``audit``), one table per tracked model.
"""
