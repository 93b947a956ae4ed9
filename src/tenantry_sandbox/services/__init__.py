"""Operations that span several stores: creating customers, accepting invitations, compliance."""
